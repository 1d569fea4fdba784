-- vigil rule: daily_utc
SELECT
  toInt64(toDate(ts, 'UTC')) AS vigil_bucket,
  ifNull(toFloat64(sum(visits)), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
