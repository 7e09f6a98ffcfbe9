"""A trial command for synalinks-tune: reads the trial's values as JSON on stdin and prints its
metrics as JSON on the last line of stdout. Any program in any language can play this part."""
import json
import math
import sys

values = json.load(sys.stdin)
lr = values["learning_rate"]
batch = values["batch_size"]
loss = (math.log10(lr) + 2.5) ** 2 + 0.002 * abs(batch - 64) + (0.3 if values["optimizer"] == "sgd" else 0.0)
print(f"training with {values}", file=sys.stderr)
print(json.dumps({"loss": loss, "val_loss": loss * 1.1}))
