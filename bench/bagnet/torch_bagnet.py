"""BagNet-9/17/33 in PyTorch, in the parameter layout of the reference BagNet code
(Brendel & Bethge, ICLR 2019), written here from the architecture description of issue 6.

Layout (names of the state dict):
  conv1 (1x1, 3->64), conv2 (3x3, 64->64), bn1            stem: no padding, no max-pool
  layer{1..4}.{i}.conv1/bn1/conv2/bn2/conv3/bn3            bottleneck blocks x [3, 4, 6, 3]
  layer{s}.0.downsample.0 (1x1 conv), .downsample.1 (bn)   projection of the residual
  fc.weight, fc.bias                                       linear head, applied per patch

Each stage has planes 64/128/256/512 (times the width multiplier) and 4x planes at its output.
Block 0 of stage s strides by [2, 2, 2, 1][s] in its k x k conv and in its downsample, and uses
k = 3 only where the stage flag is set (q = 33: [1,1,1,1]; q = 17: [1,1,1,0]; q = 9: [1,1,0,0]);
all other k x k convs are 1x1.  Every conv is unpadded, so the residual is cropped at the bottom
and right to the size of the block's output.  The image logit is the mean of the patch logits,
which equals average-pool-then-linear.

This file is used by the weight-import fixture (crates/dimorph-bagnet/tests/fixtures/) and the
benchmarks; the width multiplier makes a small model possible.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

LAYERS = [3, 4, 6, 3]
STRIDES = [2, 2, 2, 1]
FLAGS = {9: [1, 1, 0, 0], 17: [1, 1, 1, 0], 33: [1, 1, 1, 1]}


def channels(c, width):
    """Channel count c scaled by width, rounded half away from zero, at least 1 (as in the Rust model)."""
    return max(1, int(math.floor(c * width + 0.5)))


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, kernel, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel, stride=stride, padding=0, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        h, w = out.shape[-2:]
        residual = residual[:, :, :h, :w]
        return F.relu(out + residual)


class BagNet(nn.Module):
    def __init__(self, q=33, num_classes=1000, width=1.0):
        super().__init__()
        if q not in FLAGS:
            raise ValueError(f"q must be 9, 17 or 33 (got {q})")
        stem = channels(64, width)
        self.conv1 = nn.Conv2d(3, stem, 1, bias=False)
        self.conv2 = nn.Conv2d(stem, stem, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        inplanes = stem
        for s, n in enumerate(LAYERS):
            planes = channels(64 << s, width)
            blocks = []
            for b in range(n):
                kernel = 3 if b == 0 and FLAGS[q][s] else 1
                stride = STRIDES[s] if b == 0 else 1
                downsample = None
                if b == 0 and (stride != 1 or inplanes != planes * 4):
                    downsample = nn.Sequential(
                        nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False),
                        nn.BatchNorm2d(planes * 4),
                    )
                blocks.append(Bottleneck(inplanes, planes, stride, kernel, downsample))
                inplanes = planes * 4
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(inplanes, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1]
                nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / (k * m.out_channels)))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def features(self, x):
        x = F.relu(self.bn1(self.conv2(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def patch_logits(self, x):
        """Per-patch evidence [N, h, w, K]: the head applied to each patch's feature vector."""
        return self.fc(self.features(x).permute(0, 2, 3, 1))

    def forward(self, x):
        f = self.features(x)
        return self.fc(f.mean(dim=(2, 3)))
