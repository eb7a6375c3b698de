package oauth

// TokenResponse is what the token endpoint returns.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

const (
	grantPassword = "password"
	paramClientSecret = "client_secret"
)

func (c *Client) token(ctx context.Context) (*TokenResponse, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_secret": {c.ClientSecret}}
	accessToken := resp.Header.Get("X-Access-Token")
	secretHash := "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	return parse(form, accessToken, secretHash)
}
