-- vigil rule: tricky
-- breakdown
SELECT
  toUInt16(0) AS vigil_set,
  toUInt16(multiIf(ts >= ? AND ts < ?, 0, ts >= ? AND ts < ?, 1, ts >= ? AND ts < ?, 2, ts >= ? AND ts < ?, 3, ts >= ? AND ts < ?, 4, 5)) AS vigil_period,
  ifNull(toString(`app "version"`), '') AS vigil_d0,
  ifNull(toString(`country`), '') AS vigil_d1,
  ifNull(toFloat64(sum(amount)), 0) AS vigil_value
FROM events
WHERE ((ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?))
  AND (amount >= 0)
GROUP BY vigil_period, vigil_d0, vigil_d1
UNION ALL
SELECT
  toUInt16(1) AS vigil_set,
  toUInt16(multiIf(ts >= ? AND ts < ?, 0, ts >= ? AND ts < ?, 1, ts >= ? AND ts < ?, 2, ts >= ? AND ts < ?, 3, ts >= ? AND ts < ?, 4, 5)) AS vigil_period,
  '' AS vigil_d0,
  ifNull(toString(`country`), '') AS vigil_d1,
  ifNull(toFloat64(sum(amount)), 0) AS vigil_value
FROM events
WHERE ((ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?))
  AND (amount >= 0)
GROUP BY vigil_period, vigil_d1
