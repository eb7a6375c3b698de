# Twitter-style OAuth 1.0a client credentials for the nightly importer.
OAUTH_SETTINGS = {
    "oauth_consumer_key": "urXB3VLbwM3Hk9HhKxZnLeJkD",
    "oauth_consumer_secret": "zZhZgZAzapmdqWZkHr6xfqk76cnT1OZTJh5CJQcw949SD18GO7",
}

def token_secret(env):
    return env["oauth_token_secret"]
