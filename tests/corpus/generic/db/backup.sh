#!/bin/sh
set -eu
mysqldump -u backup -pGh4!vT7#kW2m shop > /var/backups/shop.sql
mysql -u root -p"$MYSQL_ROOT_PASSWORD" -e 'SELECT 1'
pg_dump --password=Yc9#qL4!mB7x --host db shop
