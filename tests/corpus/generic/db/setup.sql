-- roles for the reporting replica
CREATE USER reporting IDENTIFIED BY 'Kd8!mQ3#xT6v';
ALTER ROLE etl WITH PASSWORD 'Lp2#wZ9!rN5q';
CREATE USER readonly IDENTIFIED BY :readonly_password;
