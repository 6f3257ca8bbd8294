"""Voice from a WAV file: stream it in 100 ms chunks, then keep the spoken answer.

Run:  python docs/examples/voice_from_wav.py [input.wav] [--out answer.wav] [--live]

Any PCM WAV works: read_wav converts it to the API's 24 kHz mono PCM16. Without input.wav the
example writes a 16 kHz one first (two beeps), so the conversion includes a resampling.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import numpy as np
from example_support import argument_parser, realtime_url

from openai_realtime import RealtimeClient
from openai_realtime.audio import chunk_samples, read_wav, samples_to_ms, write_wav


def write_sample_wav(path: Path, rate: int = 16_000) -> Path:
    """Write two 440 Hz beeps with pauses around them, 16-bit mono at ``rate``."""
    beep = 0.3 * np.sin(2 * np.pi * 440 * np.arange(rate // 2) / rate)
    pause = np.zeros(rate // 4)
    write_wav(path, np.concatenate([pause, beep, pause, beep, pause]), rate=rate)
    return path


async def main(wav: Path | None, out: Path | None, live: bool) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        samples = read_wav(wav or write_sample_wav(Path(scratch) / "input.wav"))
    print(f"sending {samples_to_ms(len(samples))} ms of audio")
    async with realtime_url(live) as url, RealtimeClient(url=url) as client:
        await client.update_session(turn_detection=None)  # this side decides when the turn ends
        for chunk in chunk_samples(samples, chunk_ms=100):
            await client.append_input_audio(chunk)
        done = asyncio.ensure_future(client.wait_for_next("server.response.done", timeout=60))
        await client.create_response()  # with turn detection off, this commits the audio first
        await done
    answer = client.conversation.get_items()[-1]
    print(f"answer: {answer.formatted.transcript}")
    print(f"received {samples_to_ms(len(answer.formatted.audio))} ms of spoken answer")
    if out is not None:
        write_wav(out, answer.formatted.audio)
        print(f"wrote {out}")


if __name__ == "__main__":
    parser = argument_parser(__doc__)
    parser.add_argument("wav", nargs="?", type=Path, help="a PCM WAV file to send")
    parser.add_argument("--out", type=Path, help="where to save the answer as a WAV file")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.wav, arguments.out, arguments.live))
