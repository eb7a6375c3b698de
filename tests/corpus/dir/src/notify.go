package notify

import "github.com/slack-go/slack"

const botToken = "xoxb-336549440555-3579285699901-TAOGSf9uih4vmuGMGKAuWfpT"

func Client() *slack.Client {
	return slack.New(botToken)
}
