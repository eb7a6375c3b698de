FAKE_TOKEN = "ghp_000000000000000000000000000000000000"
DUMMY_KEY = "sk_live_dummydummydummydummydummy"
api_key = "your-api-key-here"
