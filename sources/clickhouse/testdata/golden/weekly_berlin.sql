-- vigil rule: weekly_berlin
SELECT
  intDiv(toInt64(toDate(ts, 'Europe/Berlin')) - 4, 7) * 7 + 4 AS vigil_bucket,
  ifNull(toFloat64(count()), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
