-- vigil rule: arrivals_daily_berlin
SELECT
  toInt64(toDate(ts, 'Europe/Berlin')) AS vigil_bucket,
  ifNull(toFloat64(count()), nan) AS vigil_value,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - toInt64(toUInt32(toDateTime(toDate('1970-01-01') + (toInt64(toDate(ts, 'Europe/Berlin'))), 'Europe/Berlin'))) <= 43800)) AS vigil_arrived_0,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - toInt64(toUInt32(toDateTime(toDate('1970-01-01') + (toInt64(toDate(ts, 'Europe/Berlin'))), 'Europe/Berlin'))) <= 130200)) AS vigil_arrived_1,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - toInt64(toUInt32(toDateTime(toDate('1970-01-01') + (toInt64(toDate(ts, 'Europe/Berlin'))), 'Europe/Berlin'))) <= 213000)) AS vigil_arrived_2,
  toFloat64(countIf(ingested_at <= ?)) AS vigil_arrived,
  ifNull(toFloat64(maxIf(toUInt32(ingested_at), ingested_at <= ?)), 0) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
