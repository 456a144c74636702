"""BagNet-9/17/33 in PyTorch, written from the architecture description of issue 6 (Brendel & Bethge
2019): the ResNet-50 layout of [3, 4, 6, 3] bottleneck blocks, every convolution unpadded, 3x3
kernels only in block 0 of the stages whose flag is set, strides [2, 2, 2, 1], the residual cropped at
bottom and right, no max-pool; a 2048-d feature per patch, average pool and a linear head.

Layer names follow the reference checkpoints (conv1, conv2, bn1, layer1..4 with conv1..3, bn1..3 and
downsample.0/1, fc) so that their state dicts load.
"""
import torch
from torch import nn

LAYERS = [3, 4, 6, 3]
STRIDES = [2, 2, 2, 1]
KERNEL3 = {9: [1, 1, 0, 0], 17: [1, 1, 1, 0], 33: [1, 1, 1, 1]}


def arch_q(arch):
    """Receptive field q from 'bagnet33' / 'bagnet32' / 33."""
    names = {"bagnet9": 9, "bagnet8": 9, "bagnet17": 17, "bagnet16": 17, "bagnet33": 33, "bagnet32": 33}
    if isinstance(arch, int):
        return {8: 9, 16: 17, 32: 33}.get(arch, arch)
    return names[str(arch).lower()]


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, kernel, stride, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel, stride=stride, padding=0, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = x if self.downsample is None else self.downsample(x)
        h, w = out.shape[-2:]
        residual = residual[:, :, :h, :w]
        return self.relu(out + residual)


class BagNet(nn.Module):
    """BagNet(arch, outputs, width): arch 'bagnet9|17|33' (or q), outputs logits, width multiplier."""

    def __init__(self, arch="bagnet33", outputs=1, width=1.0):
        super().__init__()
        ch = lambda c: max(1, int(round(c * width)))
        k3 = KERNEL3[arch_q(arch)]
        stem = ch(64)
        self.conv1 = nn.Conv2d(3, stem, 1, bias=False)
        self.conv2 = nn.Conv2d(stem, stem, 3, padding=0, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.relu = nn.ReLU(inplace=True)
        inplanes = stem
        for s, n in enumerate(LAYERS):
            planes = ch(64 << s)
            blocks = []
            for b in range(n):
                kernel = 3 if b == 0 and k3[s] else 1
                stride = STRIDES[s] if b == 0 else 1
                down = None
                if b == 0 and (stride != 1 or inplanes != planes * 4):
                    down = nn.Sequential(
                        nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False),
                        nn.BatchNorm2d(planes * 4),
                    )
                blocks.append(Bottleneck(inplanes, planes, kernel, stride, down))
                inplanes = planes * 4
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(inplanes, outputs)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1]
                nn.init.normal_(m.weight, 0.0, (2.0 / (k * m.out_channels)) ** 0.5)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def features(self, x):
        x = self.relu(self.bn1(self.conv2(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x):
        f = self.features(x)
        return self.fc(f.mean(dim=(2, 3)))

    def patch_logits(self, x):
        """Per-patch evidence [N, h, w, K]."""
        return self.fc(self.features(x).permute(0, 2, 3, 1))
