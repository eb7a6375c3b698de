import os

from .base import *  # noqa

DEBUG = False
SECRET_KEY = "q7#Lm2zR9!vKp4Tx8@Wn3Bf6"
SECRET_KEY_FALLBACKS = [os.environ.get("OLD_SECRET_KEY", "")]
DATABASES["default"]["PASSWORD"] = os.environ["DB_PASSWORD"]
