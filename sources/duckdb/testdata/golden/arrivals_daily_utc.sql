-- vigil rule: arrivals_daily_utc
SELECT
  CAST(floor(epoch(ts) / 86400) AS BIGINT) AS vigil_bucket,
  CAST(count(*) AS DOUBLE) AS vigil_value,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 86400) AS BIGINT)) * 86400 <= 36600) AS DOUBLE) AS vigil_arrived_0,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 86400) AS BIGINT)) * 86400 <= 123000) AS DOUBLE) AS vigil_arrived_1,
  CAST(count(*) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_arrived,
  CAST(max(epoch(ingested_at)) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
