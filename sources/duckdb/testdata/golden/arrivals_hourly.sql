-- vigil rule: arrivals_hourly
SELECT
  CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600 AS vigil_bucket,
  CAST(count(*) AS DOUBLE) AS vigil_value,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 600) AS DOUBLE) AS vigil_arrived_0,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 4200) AS DOUBLE) AS vigil_arrived_1,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 7800) AS DOUBLE) AS vigil_arrived_2,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 11400) AS DOUBLE) AS vigil_arrived_3,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 15000) AS DOUBLE) AS vigil_arrived_4,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 18600) AS DOUBLE) AS vigil_arrived_5,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 22200) AS DOUBLE) AS vigil_arrived_6,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600) <= 25800) AS DOUBLE) AS vigil_arrived_7,
  CAST(count(*) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_arrived,
  CAST(max(epoch(ingested_at)) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
