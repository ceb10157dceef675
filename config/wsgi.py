import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import resolve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()

# What Django, the apps and the URLconf (loaded here rather than by the first request) make at
# start lives as long as the process. Frozen, it is no longer walked by the garbage collector,
# whose full collections had to walk all of it: 80 to 170 ms with every thread of the worker
# stopped, against 6 to 8 ms frozen (bench/README.md, "Garbage collection").
resolve("/")
gc.collect()
gc.freeze()
