# stl_reference.py writes stl_reference.json: a series and its STL
# decomposition by statsmodels (a port of the reference Fortran), used by
# TestSTLDecomposeMatchesReference. Run with Debian's python3-statsmodels:
#   /usr/bin/python3 stl_reference.py
import json
import math

import numpy as np
from statsmodels.tsa.seasonal import STL

cases = []
for name, period, n, robust in [("daily", 24, 24 * 9, True), ("weekly-days", 7, 7 * 12, False)]:
    t = np.arange(n)
    noise = np.array([math.sin(i * 12.9898) * 43758.5453 % 1 - 0.5 for i in t])
    y = 50 + 0.08 * t + 6 * np.sin(2 * np.pi * t / period) + 2 * np.cos(4 * np.pi * t / period) + 1.5 * noise
    if robust:
        y[100] += 40  # an outlier the robustness weights should discount
    trend = int(math.ceil(1.5 * period / (1 - 1.5 / 7)))
    trend += trend % 2 == 0
    low = period + 1 + (period % 2 == 1)  # statsmodels needs an odd span above the period
    jump = lambda span: (span + 9) // 10
    res = STL(y, period=period, seasonal=7, trend=trend, low_pass=low,
              seasonal_deg=0, trend_deg=1, low_pass_deg=1, robust=robust,
              seasonal_jump=1, trend_jump=jump(trend), low_pass_jump=jump(low)).fit(
        inner_iter=1, outer_iter=1 if robust else 0)
    cases.append({"name": name, "period": period, "robust": robust, "lowpass": low, "trend_span": trend, "y": y.tolist(),
                  "seasonal": res.seasonal.tolist(), "trend": res.trend.tolist()})
with open("stl_reference.json", "w") as f:
    json.dump(cases, f)
