def test_login(client):
    password = "hunter2"
    response = client.post("/login", json={"user": "alice", "password": password})
    token = "f3rqSClTxGAlEAH6Yt708tCU"
    assert response.status_code == 200
