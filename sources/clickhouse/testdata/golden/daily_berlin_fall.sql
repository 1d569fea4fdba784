-- vigil rule: daily_berlin_fall
SELECT
  toInt64(toDate(ts, 'Europe/Berlin')) AS vigil_bucket,
  ifNull(toFloat64(sum(amount)), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
