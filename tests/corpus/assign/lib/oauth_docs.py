def prepare_token_response(token):
    """Builds the response body, as in the specification's example:

        HTTP/1.1 302 Found
        Location: http://example.com/cb#access_token=2YotnFZFEjr1zCsicMWpAA
                &state=xyz&token_type=example&expires_in=3600

        {
            "access_token":"2YotnFZFEjr1zCsicMWpAA",
            "refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA",
        }
    """
    body = 'oauth_token=lsdkfol23w54jlksdef&oauth_token_secret=qwe089234lkjsdf&realm=photos'
    request = {'access_token': 'askfjh234as9sd8', 'scope': 'read'}
    return body, request
