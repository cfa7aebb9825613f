#!/usr/bin/env python3
"""Cuts fuzzing seeds from a recording (asio-console record --output=FILE).

    tests/fuzz/cut_seeds.py FILE

Writes into tests/fuzz/corpus/, named after FILE: the recording itself and two cut copies for
recording_reader_fuzzer, and for model_ingestion_fuzzer every chunk of the recording
uncompressed, plus all of them joined (one RecordedChunk holding the whole session: the repeated
field of a message concatenates). Needs the zstd program (Debian: zstd). The seeds in the
repository come from a recording of tests/console/support/sample_target.cpp and one of Asio's
chat server built in deep mode with two clients.
"""
import pathlib
import struct
import subprocess
import sys

MAGIC = b"asio-console recording\n"


def frames(data):
    at = len(MAGIC)
    while at + 4 <= len(data):
        (size,) = struct.unpack_from("<I", data, at)
        yield data[at + 4 : at + 4 + size]
        at += 4 + size


def main():
    source = pathlib.Path(sys.argv[1])
    recording = source.read_bytes()
    name = source.stem
    if not recording.startswith(MAGIC):
        sys.exit(f"{sys.argv[1]} is not an asio-console recording")
    corpus = pathlib.Path(__file__).resolve().parent / "corpus"
    reader = corpus / "recording_reader_fuzzer"
    model = corpus / "model_ingestion_fuzzer"
    reader.mkdir(parents=True, exist_ok=True)
    model.mkdir(parents=True, exist_ok=True)
    (reader / f"{name}.rec").write_bytes(recording)
    (reader / f"{name}_cut_in_a_frame.rec").write_bytes(recording[: len(recording) * 2 // 3])
    (reader / f"{name}_header_only.rec").write_bytes(recording[: len(MAGIC) + 4 + struct.unpack_from("<I", recording, len(MAGIC))[0]])
    chunks = [subprocess.run(["zstd", "-dc"], input=f, capture_output=True, check=True).stdout for f in frames(recording)]
    chunks = chunks[1:]  # the first frame is the RecordingHeader
    for number, chunk in enumerate(chunks):
        (model / f"{name}_chunk_{number:03}").write_bytes(chunk)
    (model / f"{name}_session").write_bytes(b"".join(chunks))
    print(f"{len(chunks)} chunks from {sys.argv[1]}")


if __name__ == "__main__":
    main()
