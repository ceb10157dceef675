import gc
import importlib
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

# What Django, the apps and the URLconf with its views (loaded here rather than by the first
# request) make at start lives as long as the process. Frozen, it is no longer walked by the
# garbage collector, whose full collections had to walk all of it: 80 to 170 ms with every
# thread of the worker stopped, against 6 to 8 ms frozen (bench/README.md, "Garbage
# collection").
importlib.import_module(settings.ROOT_URLCONF)
gc.collect()
gc.freeze()
