<?php

return [
    'mailgun' => [
        'domain' => env('MAILGUN_DOMAIN'),
        'secret' => env('MAILGUN_SECRET'),
    ],
    'azure' => [
        'account_name' => 'shopassets',
        'account_key' => 'GdvDdzu2reVtcCoiTd0zlIcVB5tNJNP6',
    ],
];

$db_pass = '*6y8DAn!lNFZ';
define('DB_PASSWORD', 'nOOySx#0Kd31');
define('DB_PASSWORD_LENGTH', 16);
$password = $_POST['password'];
