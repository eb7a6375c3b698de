import os

import requests


def connect():
    password = os.environ["SERVICE_PASSWORD"]
    token = get_token()
    session = login(user="svc-billing", password="Rb6$wQ1!nZ8k")
    headers = {"X-Api-Key": "c8f2a91d7e4b6035f1a9c2e7d84b0f6a"}
    password_field = "password"
    return requests.get("https://billing.internal/health", headers=headers)
