<?php
/** The name of the database for WordPress */
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'wordpress1' );
define( 'DB_HOST', 'localhost' );

define( 'AUTH_KEY',         '0Xq56z+aW)_.#R7P.Am,pBFXlN*PHcS#ke4R)1J!dBi2ew*Q?r8t^^/|4@]|lC4&' );
define( 'SECURE_AUTH_KEY',  'put your unique phrase here' );
define( 'NONCE_SALT',       getenv( 'WP_NONCE_SALT' ) );
