# graphite-web in front of the storage nodes, on any host: each Stoker answers graphite-web's
# cluster API on its [api] port (stoker-a.conf), finds and renders from its own files and cache,
# and resolves seriesByTag from its own tag index. This graphite-web keeps no data and no tag
# database of its own; it draws the graphs and evaluates every function.
CLUSTER_SERVERS = ['10.0.0.11:8080', '10.0.0.12:8080']
# A node that fails a request is skipped for this many seconds (graphite-web's default is 60).
REMOTE_RETRY_DELAY = 10.0
