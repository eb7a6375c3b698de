#!/bin/sh
set -eu
mysqldump -u backup -pGu1scZckbIMZ shop > /tmp/shop.sql
mysql -u root -p"$MYSQL_ROOT_PASSWORD" shop < seed.sql
PGPASSWORD=E89nOtBEvgb8 psql -h db -U shop -c 'select 1'
./manage.py createsuperuser --username admin --password=99Q##98G476j
./bin/deploy --api-key NTQYl0bLDXYNa9nr53wRyXANVGfV --env prod
helm upgrade api ./chart --set postgresql.auth.password=xq9yN8McpZL_
read -r -s -p "Password: " password
