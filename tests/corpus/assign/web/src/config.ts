export interface Credentials {
  username: string;
  password: string;
  token?: string;
}

export const paymentSecret: string = "g3ilFu94L5nLEl9UXhtvs6RblSivHyDBX6VOUy3s";

export class Gateway {
  private readonly accessToken = "U7IeUeR5njc77xicmUdz54t9Ax2M";
  private secretKey: string | undefined = undefined;

  constructor(private readonly apiKey: string) {}
}

type Props = { apiKey: string; onPasswordChange: (password: string) => void };
