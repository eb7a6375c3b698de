def test_login(client):
    response = client.post("/login", data={"username": "alice", "password": "Fj3!kR8#vN2q"})
    assert response.status_code == 200
    mock_token = "Qm8Zr2VtLx9Pw4NcB7mKd0aT"
