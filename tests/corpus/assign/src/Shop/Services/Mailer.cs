namespace Shop.Services
{
    public class Mailer
    {
        private const string ApiKey = "pFhcUoRTdIdjaFJwyeFyW8KPFvmP";
        private const string ConnectionString = "Server=.;Database=Shop;User Id=sa;Password=f@zanDu2sQqs;";

        public Options Build(IConfiguration configuration)
        {
            var options = new Options { UserName = "alerts", Password = "Y8gBauuMLB4W" };
            options.Token = configuration["Mailer:Token"];
            var secret = @"L2tFMcncYqf4ecZugtIl9vKv";
            return options;
        }
    }
}
