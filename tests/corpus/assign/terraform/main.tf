resource "aws_db_instance" "shop" {
  engine   = "postgres"
  username = "shop"
  password = "GG21VfeVSMVKxw8Xpqod"
}

resource "random_password" "db" {
  length  = 24
  special = true
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = random_password.db.result
}

variable "db_password" {
  type      = string
  sensitive = true
}

provider "github" {
  token = var.github_token
}

locals {
  monitoring_api_key = "d235edcc4bddd7551792d35d16bfe837"
}
