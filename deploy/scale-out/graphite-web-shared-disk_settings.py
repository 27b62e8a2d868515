# The one-host alternative to graphite-web-local_settings.py: a graphite-web that can open both
# data directories itself (both Stokers on its machine, or a shared disk) reads the files and asks
# each node's carbonlink for the points still in its cache. Tests/Integration/test_scale_out.py
# runs this on one machine.
STANDARD_DIRS = ['/srv/stoker-a/whisper/', '/srv/stoker-b/whisper/']
WHISPER_DIR = STANDARD_DIRS[0]
# Same hosts and instance names as relay.conf's carbon_ch cluster, so graphite-web's hash ring
# picks the Stoker that holds a metric's cached points.
CARBONLINK_HOSTS = ['10.0.0.11:7002:a', '10.0.0.12:7002:b']
CARBONLINK_HASHING_TYPE = 'carbon_ch'
