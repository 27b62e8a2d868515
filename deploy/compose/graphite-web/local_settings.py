# graphite-web settings for the compose example: Stoker's volume and carbonlink port.
import os

SECRET_KEY = os.environ.get('GRAPHITE_SECRET_KEY', 'change-me')
ALLOWED_HOSTS = ['*']
TIME_ZONE = 'UTC'
GRAPHITE_ROOT = '/usr/share/graphite-web'
CONF_DIR = '/etc/graphite'
STORAGE_DIR = '/var/lib/graphite'
STATIC_ROOT = '/usr/share/graphite-web/static'
LOG_DIR = '/var/log/graphite'
INDEX_FILE = '/var/lib/graphite/search_index'
# Stoker's LOCAL_DATA_DIR inside its volume (deploy/container/stoker.conf).
WHISPER_DIR = '/var/lib/stoker/whisper/'
STANDARD_DIRS = [WHISPER_DIR]
# host:port:instance; the instance name is Stoker's --instance (default "a").
CARBONLINK_HOSTS = ['stoker:7002:a']
DATABASES = {
    'default': {
        'NAME': '/var/lib/graphite/graphite.db',
        'ENGINE': 'django.db.backends.sqlite3',
    }
}
