-- MySQL dump 10.13  Distrib 8.0.36
DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (`id` int NOT NULL, `email` varchar(255), `password` varchar(255));
INSERT INTO `users` VALUES (1,'admin@example.com','$2y$10$Z8jTNxfRxPHKrh8khrr/Ylvy.gPJCe4UMMNMbXN5m6oSicF4b.haI'),(2,'ops@example.com','$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$Qm3kV8zR1tW6yB0nC4xL7eJ2hF5dS9aPq1Lw8Zr3Tm6');
INSERT INTO `users` VALUES (3,'guest@example.com',NULL),(4,'price@example.com','$2y$ is the bcrypt prefix');
