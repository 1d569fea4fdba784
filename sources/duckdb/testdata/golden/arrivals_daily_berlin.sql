-- vigil rule: arrivals_daily_berlin
SELECT
  CAST(floor(epoch(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ))) / 86400) AS BIGINT) AS vigil_bucket,
  CAST(count(*) AS DOUBLE) AS vigil_value,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - epoch(timezone('Europe/Berlin', TIMESTAMP '1970-01-01' + to_days(CAST(CAST(floor(epoch(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ))) / 86400) AS BIGINT) AS INTEGER)))) <= 43800) AS DOUBLE) AS vigil_arrived_0,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - epoch(timezone('Europe/Berlin', TIMESTAMP '1970-01-01' + to_days(CAST(CAST(floor(epoch(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ))) / 86400) AS BIGINT) AS INTEGER)))) <= 130200) AS DOUBLE) AS vigil_arrived_1,
  CAST(count(*) FILTER (WHERE epoch(ingested_at) - epoch(timezone('Europe/Berlin', TIMESTAMP '1970-01-01' + to_days(CAST(CAST(floor(epoch(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ))) / 86400) AS BIGINT) AS INTEGER)))) <= 213000) AS DOUBLE) AS vigil_arrived_2,
  CAST(count(*) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_arrived,
  CAST(max(epoch(ingested_at)) FILTER (WHERE ingested_at <= ?) AS DOUBLE) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
