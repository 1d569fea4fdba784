package backtest

import "vigil/detector"

type detectorSeries = detector.Series
