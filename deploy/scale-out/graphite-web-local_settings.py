# graphite-web in front of the two storage nodes. Either run one graphite-web per storage node
# and list them in CLUSTER_SERVERS on a front-end graphite-web, or (shown here, and what
# Tests/Integration/test_scale_out.py does on one machine) read both data directories directly.
STANDARD_DIRS = ['/srv/stoker-a/whisper/', '/srv/stoker-b/whisper/']
WHISPER_DIR = STANDARD_DIRS[0]
# Same hosts and instance names as relay.conf's carbon_ch cluster, so graphite-web's hash ring
# picks the Stoker that holds a metric's cached points.
CARBONLINK_HOSTS = ['10.0.0.11:7002:a', '10.0.0.12:7002:b']
CARBONLINK_HASHING_TYPE = 'carbon_ch'
