import Foundation

enum Secrets {
    static let apiKey = "IANwpvSvfgjZpBhzumbMzEuLHArQ6IeFEG89B4l5"
    static let clientSecret: String = "Zaazpm7KZBYFF1UmZEReqVagez7RlBej"
    static let keychainService = "com.shop.token"
}
