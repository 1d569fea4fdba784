-- vigil rule: arrivals_15m_filter
SELECT
  CAST(floor(epoch(ts) / 900) AS BIGINT) * 900 AS vigil_bucket,
  CAST(sum(amount) AS DOUBLE) AS vigil_value,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 600) AS DOUBLE) AS vigil_arrived_0,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 1500) AS DOUBLE) AS vigil_arrived_1,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 2400) AS DOUBLE) AS vigil_arrived_2,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 3300) AS DOUBLE) AS vigil_arrived_3,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 4200) AS DOUBLE) AS vigil_arrived_4,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 5100) AS DOUBLE) AS vigil_arrived_5,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 6000) AS DOUBLE) AS vigil_arrived_6,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 6900) AS DOUBLE) AS vigil_arrived_7,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 7800) AS DOUBLE) AS vigil_arrived_8,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 8700) AS DOUBLE) AS vigil_arrived_9,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 9600) AS DOUBLE) AS vigil_arrived_10,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - (CAST(floor(epoch(ts) / 900) AS BIGINT) * 900) <= 10500) AS DOUBLE) AS vigil_arrived_11,
  CAST(count(*) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_arrived,
  CAST(max(epoch(ingested_at)) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
  AND (country = 'Côte d''Ivoire')
GROUP BY vigil_bucket
ORDER BY vigil_bucket
