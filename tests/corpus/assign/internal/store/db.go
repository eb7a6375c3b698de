package store

import "os"

const dbPassword = "vY51kBh@h!uP"

var apiToken string = "MlKY9salnHR9aZldZuOA"

type Config struct {
	Password string `json:"password" yaml:"password"`
	Token    string `json:"token"`
}

func defaults() Config {
	return Config{
		Password: "IHg0qB_OSjRT",
		Token:    os.Getenv("STORE_TOKEN"),
	}
}

func connect(cfg Config) {
	secretKey := os.Getenv("SECRET_KEY")
	_ = secretKey
}
