import { PasswordInput } from "./PasswordInput";

export function LoginForm({ onSubmit }: Props) {
  const [password, setPassword] = useState("");
  const [apiToken, setApiToken] = useState<string | null>(null);
  return (
    <form onSubmit={onSubmit}>
      <label htmlFor="password">Password</label>
      <PasswordInput id="password" name="password" placeholder="Enter your password" />
      <input type="password" autoComplete="current-password" />
      <input name="api_key" value={apiToken ?? ""} onChange={(e) => setApiToken(e.target.value)} />
    </form>
  );
}
