Payment.configure do |config|
  config.api_key = 'aa2YQej7yAjIioOZjhcsAWZL'
  config.secret = ENV['PAYMENT_SECRET']
  config.timeout = 30
end

client = Ftp::Client.new(username: 'ops', password: '9ZgEOwCnK6Ul')
legacy = { :password => 'b5f@pgmI6s48', :host => 'files.internal' }
token = SecureRandom.hex(32)
