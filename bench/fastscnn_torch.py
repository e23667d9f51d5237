#!/usr/bin/python3
"""Training throughput of a PyTorch Fast-SCNN built from the same blocks as segstream's DL4J FastScnn.

Not part of the Maven build. It gives the reference that `segstream models --benchmark` is compared with:
same layers (learning to downsample, inverted residuals, pyramid pooling with bins 1, 2, 4, feature fusion,
classifier), same input (256x128, batch 4, 19 classes, random pixels and labels), same step (forward, pixel
cross-entropy, backward, Adam), same thread count.

    /usr/bin/python3 bench/fastscnn_torch.py [--threads 2] [--steps 10] [--dl4j IMAGES_PER_S]

Debian's python3-torch (1.13). With --dl4j it also prints DL4J's rate as a fraction of PyTorch's. PyTorch counts
fewer parameters than `segstream models` (1,137,279 vs 1,160,955): DL4J counts each batch norm's running mean
and variance as parameters, PyTorch keeps them as buffers; the layers are the same.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, k=3, s=1, groups=1, act=nn.ReLU, dilation=1):
    layers = [nn.Conv2d(cin, cout, k, s, padding=dilation * (k // 2), dilation=dilation, groups=groups,
                        bias=False), nn.BatchNorm2d(cout)]
    if act is not None:
        layers.append(act(inplace=True))
    return nn.Sequential(*layers)


def ds_conv(cin, cout, s=1):
    return nn.Sequential(conv_bn(cin, cin, 3, s, groups=cin), conv_bn(cin, cout, 1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, s, t=6):
        super().__init__()
        hidden = cin * t
        self.block = nn.Sequential(conv_bn(cin, hidden, 1, act=nn.ReLU6),
                                   conv_bn(hidden, hidden, 3, s, groups=hidden, act=nn.ReLU6),
                                   conv_bn(hidden, cout, 1, act=None))
        self.residual = s == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


def stage(cin, cout, n, s):
    return nn.Sequential(*[InvertedResidual(cin if i == 0 else cout, cout, s if i == 0 else 1) for i in range(n)])


class PyramidPooling(nn.Module):
    def __init__(self, c, bins=(1, 2, 4)):
        super().__init__()
        self.bins = bins
        reduced = c // len(bins)
        self.reduce = nn.ModuleList([conv_bn(c, reduced, 1) for _ in bins])
        self.fuse = conv_bn(c + reduced * len(bins), c, 1)

    def forward(self, x):
        h, w = x.shape[2:]
        out = [x]
        for b, r in zip(self.bins, self.reduce):
            p = r(F.adaptive_avg_pool2d(x, b))
            out.append(F.interpolate(p, (h, w), mode="bilinear", align_corners=False))
        return self.fuse(torch.cat(out, 1))


class FastScnn(nn.Module):
    def __init__(self, classes=19):
        super().__init__()
        self.lds = nn.Sequential(conv_bn(3, 32, 3, 2), ds_conv(32, 48, 2), ds_conv(48, 64, 2))
        self.gfe = nn.Sequential(stage(64, 64, 3, 2), stage(64, 96, 3, 2), stage(96, 128, 3, 1), PyramidPooling(128))
        # the depthwise 3x3 of the fusion runs on the 1/32 features before the x4 upsampling, then BN and ReLU, as in
        # segstream's FastScnn (the paper's dilation-4 depthwise after the upsampling, away from the border)
        self.low_dw = nn.Conv2d(128, 128, 3, 1, padding=1, groups=128, bias=False)
        self.low_bn = nn.BatchNorm2d(128)
        self.low_pw = conv_bn(128, 128, 1, act=None)
        self.high_pw = conv_bn(64, 128, 1, act=None)
        self.cls = nn.Sequential(ds_conv(128, 128), ds_conv(128, 128), nn.Dropout(0.1), nn.Conv2d(128, classes, 1))

    def forward(self, x):
        high = self.lds(x)
        low = F.interpolate(self.low_dw(self.gfe(high)), scale_factor=4, mode="bilinear", align_corners=False)
        x = F.relu(self.low_pw(F.relu(self.low_bn(low))) + self.high_pw(high))
        return F.interpolate(self.cls(x), scale_factor=8, mode="bilinear", align_corners=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--height", type=int, default=128)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--dl4j", type=float, help="DL4J images/s measured by `segstream models --benchmark`")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = FastScnn().train()
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.randn(a.batch, 3, a.height, a.width)
    y = torch.randint(0, 19, (a.batch, a.height, a.width))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    step()  # warm-up, as the DL4J benchmark does
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    per_step = (time.perf_counter() - start) / a.steps
    ips = a.batch / per_step
    params = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__} fastscnn {a.width}x{a.height} batch {a.batch}, {a.threads} threads, "
          f"{params:,} parameters: {per_step:.3f} s per step, {ips:.2f} images/s")
    if a.dl4j:
        print(f"dl4j {a.dl4j:.2f} images/s = {a.dl4j / ips:.2f}x pytorch")


if __name__ == "__main__":
    main()
