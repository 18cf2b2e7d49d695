#!/usr/bin/env python3
"""Golden values for io.distillery.eval.ZeroShotClassifier and ImageTextRetrieval, written the way open_clip does it.

Run from this folder with the Debian PyTorch (torch 1.13):
    /usr/bin/python3 generate.py
It rewrites zero_shot.json and retrieval.json here. Embeddings are random float32 values (seeded), written as float64
with repr() so Java reads back exactly the floats the computation started from; all arithmetic below is float64.
A rerun gives identical files.

Transcribed reference code (mlfoundations/open_clip):
- src/training/zero_shot.py `zero_shot_classifier` (= src/open_clip/zero_shot_classifier.py
  `build_zero_shot_classifier_legacy`): F.normalize each template embedding, mean over templates, divide by the norm;
  `run`: F.normalize the image features, logits = 100 * image_features @ classifier, `accuracy` with topk=(1, 5).
- src/training/train.py `get_clip_metrics`: 1:1 image/caption pairs, ranks of the true partner in argsort(descending),
  mean rank = mean + 1, median rank = floor(median) + 1, R@K = mean(rank < K).
For several captions per image (COCO, Flickr: 5) `clip_metrics_many` uses the standard definition (as in the
CLIP_benchmark / ALBEF retrieval code): an image query's rank is the best rank among its own captions, a caption
query's rank is that of its image. With one caption per image it is asserted equal to get_clip_metrics.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def floats(*shape, generator):
    """Random normal values rounded to float32 (what a model would hand over), as float64 for the arithmetic."""
    return torch.randn(*shape, generator=generator, dtype=torch.float64).float().double()


def zero_shot_classifier(class_template_embeddings):
    """open_clip zero_shot.py `zero_shot_classifier`, minus the model: embeddings [C, T, D] -> weights [D, C]."""
    zeroshot_weights = []
    for class_embeddings in class_template_embeddings:
        class_embedding = F.normalize(class_embeddings, dim=-1).mean(dim=0)
        class_embedding /= class_embedding.norm()
        zeroshot_weights.append(class_embedding)
    return torch.stack(zeroshot_weights, dim=1)


def accuracy(output, target, topk=(1,)):
    """open_clip zero_shot.py `accuracy`: correct counts (not fractions) for each k."""
    pred = output.topk(max(topk), 1, True, True)[1].t()
    correct = pred.eq(target.view(1, -1).expand_as(pred))
    return [float(correct[:k].reshape(-1).float().sum(0, keepdim=True).cpu().numpy()) for k in topk]


def zero_shot_case(name, seed, classes, templates, dim, images, noise):
    g = torch.Generator().manual_seed(seed)
    class_directions = floats(classes, dim, generator=g)
    # Template embeddings scatter around their class direction, at very different scales (normalisation matters).
    scales = torch.rand(classes, templates, 1, generator=g, dtype=torch.float64) * 5 + 0.1
    text = ((class_directions[:, None, :] + 0.8 * floats(classes, templates, dim, generator=g)) * scales)
    text = text.float().double()
    labels = torch.randint(0, classes, (images,), generator=g)
    image = (class_directions[labels] + noise * floats(images, dim, generator=g)) * 3.0
    image = image.float().double()

    classifier = zero_shot_classifier(text)
    image_features = F.normalize(image, dim=-1)
    logits = 100. * image_features @ classifier
    top1, top5 = accuracy(logits, labels, topk=(1, 5))
    # The margin between the best and second-best logit: the Java test relies on there being no near-ties.
    best2 = logits.topk(2, 1).values
    assert (best2[:, 0] - best2[:, 1]).min() > 1e-9
    return {
        "name": name,
        "text_embeddings": {"shape": list(text.shape), "data": text.reshape(-1).tolist()},
        "image_embeddings": {"shape": list(image.shape), "data": image.reshape(-1).tolist()},
        "labels": labels.tolist(),
        "weights": {"shape": [classes, dim], "data": classifier.t().reshape(-1).tolist()},
        "predicted": logits.argmax(dim=1).tolist(),
        "top1_correct": int(top1),
        "top5_correct": int(top5),
    }


def get_clip_metrics(image_features, text_features, logit_scale):
    """open_clip src/training/train.py `get_clip_metrics`, line for line (returns the ranks as well)."""
    metrics = {}
    logits_per_image = (logit_scale * image_features @ text_features.t()).detach().cpu()
    logits_per_text = logits_per_image.t().detach().cpu()

    logits = {"image_to_text": logits_per_image, "text_to_image": logits_per_text}
    ground_truth = torch.arange(len(text_features)).view(-1, 1)

    for name, logit in logits.items():
        ranking = torch.argsort(logit, descending=True)
        preds = torch.where(ranking == ground_truth)[1]
        preds = preds.detach().cpu().numpy()
        metrics[f"{name}_ranks"] = preds.tolist()
        metrics[f"{name}_mean_rank"] = preds.mean() + 1
        metrics[f"{name}_median_rank"] = np.floor(np.median(preds)) + 1
        for k in [1, 5, 10]:
            metrics[f"{name}_R@{k}"] = np.mean(preds < k)

    return metrics


def clip_metrics_many(image_features, text_features, logit_scale, text_image):
    """get_clip_metrics for captions owned by images (text_image[j] = image of caption j): image->text rank is
    the best rank of any of the image's captions, text->image rank is the rank of the caption's image."""
    metrics = {}
    logits_per_image = logit_scale * image_features @ text_features.t()
    logits_per_text = logits_per_image.t()
    owner = torch.as_tensor(text_image)

    ranking = torch.argsort(logits_per_image, descending=True)           # [N, M] caption indices
    owns = owner[ranking] == torch.arange(len(image_features)).view(-1, 1)
    i2t = torch.stack([torch.where(row)[0].min() for row in owns]).numpy()
    ranking = torch.argsort(logits_per_text, descending=True)            # [M, N] image indices
    t2i = torch.where(ranking == owner.view(-1, 1))[1].numpy()

    for name, preds in (("image_to_text", i2t), ("text_to_image", t2i)):
        metrics[f"{name}_ranks"] = preds.tolist()
        metrics[f"{name}_mean_rank"] = preds.mean() + 1
        metrics[f"{name}_median_rank"] = np.floor(np.median(preds)) + 1
        for k in [1, 5, 10]:
            metrics[f"{name}_R@{k}"] = np.mean(preds < k)
    return metrics


def retrieval_case(name, seed, images, dim, text_image, noise):
    g = torch.Generator().manual_seed(seed)
    image = floats(images, dim, generator=g)
    owner = torch.as_tensor(text_image)
    text = (image[owner] + noise * floats(len(text_image), dim, generator=g)).float().double()
    image = (image * 2.5).float().double()
    image_features = F.normalize(image, dim=-1)
    text_features = F.normalize(text, dim=-1)
    metrics = clip_metrics_many(image_features, text_features, 100.0, text_image)
    if list(text_image) == list(range(images)):
        reference = get_clip_metrics(image_features, text_features, 100.0)
        assert {k: float(np.mean(v)) for k, v in reference.items()} == \
               {k: float(np.mean(v)) for k, v in metrics.items()}, name
    logits = image_features @ text_features.t()
    # No two similarities in a row closer than 1e-9: the ranks do not depend on summation order.
    for s in (logits, logits.t()):
        srt = s.sort(dim=1).values
        assert (srt[:, 1:] - srt[:, :-1]).min() > 1e-9, name
    case = {
        "name": name,
        "image_embeddings": {"shape": list(image.shape), "data": image.reshape(-1).tolist()},
        "text_embeddings": {"shape": list(text.shape), "data": text.reshape(-1).tolist()},
        "text_image": list(text_image),
    }
    for k, v in metrics.items():
        case[k] = v if isinstance(v, list) else float(v)
    return case


def write(name, cases):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"generator": "generate.py", "torch": torch.__version__, "cases": cases}, f)
        f.write("\n")


def main():
    write("zero_shot.json", [
        zero_shot_case("10 classes x 4 templates, D 16", 1, 10, 4, 16, 300, 1.8),
        zero_shot_case("7 classes x 1 template, D 8", 2, 7, 1, 8, 120, 1.3),
        zero_shot_case("12 classes x 6 templates, D 32", 3, 12, 6, 32, 200, 1.6),
    ])
    rnd = np.random.RandomState(4)
    uneven = [i for i in range(30) for _ in range(1 + i % 3)]
    rnd.shuffle(uneven)
    write("retrieval.json", [
        retrieval_case("1:1, 60 pairs, D 16", 5, 60, 16, list(range(60)), 2.2),
        retrieval_case("5 captions per image, 40 images, D 16", 6, 40, 16,
                       [i for i in range(40) for _ in range(5)], 2.6),
        retrieval_case("1 to 3 captions per image, shuffled, 30 images, D 8", 7, 30, 8, [int(i) for i in uneven], 1.0),
        retrieval_case("1:1, 8 pairs (K=10 exceeds the gallery), D 4", 8, 8, 4, list(range(8)), 0.8),
    ])


if __name__ == "__main__":
    main()
