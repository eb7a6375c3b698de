CREATE USER reporting WITH PASSWORD 'bihyoUzUfYG8';
CREATE ROLE app LOGIN PASSWORD 'YP65M*BNXcGB';
ALTER USER scott IDENTIFIED BY tiger42;
GRANT ALL ON shop.* TO 'app'@'%' IDENTIFIED BY 'SovY2e6tHw6R';
SELECT id FROM users WHERE password = ? AND name = ?;
UPDATE users SET password = crypt('x', gen_salt('bf'));
