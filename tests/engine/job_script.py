"""A training program for engine tests, registered as a local training image.

Run as ``python job_script.py train`` in a job's environment. Hyperparameters (strings):
``sleep`` seconds to run (default 0.2), ``x`` the value whose loss ``(x - 0.3) ** 2`` is printed as
``loss=<v>`` once per epoch (``epochs``, default 2), ``mode`` one of ``ok``, ``fail`` (writes
``failure_text`` to output/failure, exits 1), ``exit3`` (exits 3, no failure file), ``nometric``
(prints nothing), ``ignoreterm`` (ignores SIGTERM). Writes its pid to ``<job dir>/pid`` at start,
a model file at the end, and an ``on_term`` marker when SIGTERM arrives.
"""

import json
import os
import signal
import sys
import time

base = os.environ["SAGEMAKER_BASE_DIR"]
with open(os.path.join(base, "input", "config", "hyperparameters.json")) as handle:
    hp = json.load(handle)
with open(os.path.join(base, "pid"), "w") as handle:
    handle.write(str(os.getpid()))
mode = hp.get("mode", "ok")
sleep = float(hp.get("sleep", "0.2"))
epochs = int(hp.get("epochs", "2"))
x = float(hp.get("x", "0.5"))


def on_term(signum, frame):
    with open(os.path.join(base, "model", "on_term"), "w") as out:
        out.write("stopped")
    if mode != "ignoreterm":
        sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
assert sys.argv[1:] == ["train"], sys.argv
for epoch in range(epochs):
    time.sleep(sleep / epochs)
    if mode != "nometric":
        print(f"epoch={epoch}\tloss={(x - 0.3) ** 2 + 0.01 * (epochs - epoch - 1)}")
if mode == "fail":
    with open(os.path.join(base, "output", "failure"), "w") as out:
        out.write(hp.get("failure_text", "it broke"))
    sys.exit(1)
if mode == "exit3":
    sys.exit(3)
with open(os.path.join(base, "model", "model.json"), "w") as out:
    json.dump({"x": x}, out)
