# Speaks one text with Kokoro-82M (kokoro-onnx) for the kokoro engine (kokoro.ts).
# Arguments: the model file and the voices file (npz). Standard input: one JSON request,
# {"text", "voice", "lang", "speed"}. Standard output: the speech as a 16-bit mono WAV file.
import io
import json
import sys
import wave

import numpy as np
from kokoro_onnx import Kokoro


def main() -> None:
    model, voices = sys.argv[1:3]
    request = json.load(sys.stdin)
    kokoro = Kokoro(model, voices)
    samples, rate = kokoro.create(
        request["text"], voice=request["voice"], speed=request.get("speed", 1.0), lang=request["lang"]
    )
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    sys.stdout.buffer.write(out.getvalue())


if __name__ == "__main__":
    main()
