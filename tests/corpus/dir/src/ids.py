REQUEST_ID = "1ad9bc3c-09f5-4c6c-ae65-b2ee2938704f"
COMMIT_SHA = "3b7da23793cdd86cb0d79340a64cd177d9194bb6"
CHECKSUM_SHA256 = "82254f920b1513144a9ec90d676dd68b2922ae1e767f63303389d3aa2dc74930"
token_type = "Bearer"
api_key = settings.API_KEY
password = get_password_from_vault()
