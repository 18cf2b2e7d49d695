#!/usr/bin/python3
"""Golden case for `distillery loss` (LossCommandTest): KD at temperature 2 on random float64 logits [4, 5].

The loss is mdistiller's kd_loss written out in PyTorch, independent of the Java library; the gradient is
autograd's. Writes student.npy, teacher.npy (float64), labels.npy (int64) and expected.json next to this script. Rerun with
`/usr/bin/python3 spark-job/src/test/resources/loss-cli/generate.py`; the output is deterministic.

Check a recipe the same way by hand:
    distillery loss --type kd --set temperature=2 --student student.npy --teacher teacher.npy --grad grad.npy
prints {"loss": ...} equal to expected.json's loss, and grad.npy equals its grad.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPERATURE = 2.0


def kd_loss(logits_student, logits_teacher, temperature):
    # mdistiller/distillers/KD.py
    log_pred_student = F.log_softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    loss_kd = F.kl_div(log_pred_student, pred_teacher, reduction="none").sum(1).mean()
    return loss_kd * temperature ** 2


def main():
    rng = np.random.default_rng(15)
    student = rng.normal(0.0, 3.0, size=(4, 5))
    teacher = rng.normal(0.0, 3.0, size=(4, 5))
    np.save(os.path.join(HERE, "student.npy"), student)
    np.save(os.path.join(HERE, "teacher.npy"), teacher)
    # int64 class labels, for the tests of --labels (ce, dkd)
    np.save(os.path.join(HERE, "labels.npy"), np.array([0, 4, 2, 1]))

    s = torch.tensor(student, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(teacher, dtype=torch.float64)
    loss = kd_loss(s, t, TEMPERATURE)
    loss.backward()
    expected = {
        "type": "kd",
        "set": {"temperature": TEMPERATURE},
        "loss": loss.item(),
        "grad": s.grad.numpy().tolist(),
        "torch": torch.__version__,
        "numpy": np.__version__,
    }
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
