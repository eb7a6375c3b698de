package shop

object Keys {
    const val ANALYTICS_API_KEY = "JjGBZRDacBwvuiohXdWi"
    val clientSecret: String = "Fv2cyQUga5HGECBSdlztqtpY"
    val passwordHint: String = "At least 12 characters"
    fun token(): String = BuildConfig.TOKEN
}
