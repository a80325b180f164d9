//! Listing, renaming and deleting passkeys: only ever the caller's own, names trimmed and bounded,
//! someone else's passkey indistinguishable from a missing one and never changed.

use anyhow::{ensure, Result};
use serde_json::json;

use crate::authenticator::SoftKey;
use crate::contract::{Passkey, Updated};
use crate::fixtures::Ctx;
use crate::shapes;

crate::cases![
    a_new_user_has_an_empty_list,
    the_list_holds_the_callers_passkeys_and_no_one_elses,
    a_passkey_is_renamed_with_its_name_trimmed,
    a_name_of_255_characters_is_kept_and_a_longer_one_refused,
    an_empty_or_blank_name_is_refused,
    a_deleted_passkey_is_gone_and_cannot_sign_in,
    another_users_passkey_can_be_neither_renamed_nor_deleted_and_survives,
    renaming_or_deleting_an_unknown_passkey_is_not_found,
];

async fn a_new_user_has_an_empty_list(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let reply = ctx.api.list_passkeys(Some(&user.token)).await;
    reply.expect_ok::<Vec<Passkey>>()?;
    ensure!(reply.json == json!([]), "expected [], got {}", reply.text);
    Ok(())
}

async fn the_list_holds_the_callers_passkeys_and_no_one_elses(ctx: Ctx) -> Result<()> {
    let (user, stranger) = (ctx.new_user(), ctx.new_user());
    let first = ctx.register(&user, &mut SoftKey::new(), "Phone").await?;
    let second = ctx.register(&user, &mut SoftKey::new(), "Key").await?;
    let theirs = ctx
        .register(&stranger, &mut SoftKey::new(), "Theirs")
        .await?;
    let mut ids: Vec<String> = ctx
        .list(&user.token)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    ids.sort();
    let mut expected = vec![first.id.clone(), second.id.clone()];
    expected.sort();
    ensure!(ids == expected, "listed {ids:?}, expected {expected:?}");
    ensure!(
        first.user_id == second.user_id,
        "one owner for both: {first:?} {second:?}"
    );
    ensure!(first.user_id != theirs.user_id, "two users share a user id");
    let listed_by_stranger = ctx.list(&stranger.token).await?;
    ensure!(
        listed_by_stranger.len() == 1 && listed_by_stranger[0].id == theirs.id,
        "stranger"
    );
    Ok(())
}

async fn a_passkey_is_renamed_with_its_name_trimmed(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Old name").await?;
    let reply = ctx
        .api
        .update_passkey(Some(&user.token), &passkey.id, "  Work laptop \t")
        .await;
    let updated: Updated = reply.expect_ok()?;
    shapes::keys(&reply.json, &["passkey"], &[], false)?;
    shapes::passkey_object(&reply.json["passkey"])?;
    ensure!(
        updated.passkey.name.as_deref() == Some("Work laptop"),
        "{}",
        reply.text
    );
    ensure!(
        updated.passkey.id == passkey.id && updated.passkey.public_key == passkey.public_key,
        "the update changed more than the name: {}",
        reply.text
    );
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed[0].name.as_deref() == Some("Work laptop"),
        "listed {listed:?}"
    );
    Ok(())
}

async fn a_name_of_255_characters_is_kept_and_a_longer_one_refused(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Short").await?;
    let longest = "n".repeat(255);
    let updated: Updated = ctx
        .api
        .update_passkey(Some(&user.token), &passkey.id, &longest)
        .await
        .expect_ok()?;
    ensure!(
        updated.passkey.name.as_deref() == Some(longest.as_str()),
        "255 chars not kept"
    );
    let reply = ctx
        .api
        .update_passkey(Some(&user.token), &passkey.id, &"n".repeat(256))
        .await;
    reply.expect_error(400, "VALIDATION_ERROR")?;
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed[0].name.as_deref() == Some(longest.as_str()),
        "refused name was stored"
    );
    Ok(())
}

async fn an_empty_or_blank_name_is_refused(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let passkey = ctx.register(&user, &mut SoftKey::new(), "Kept").await?;
    for name in ["", "   ", "\t\n"] {
        let reply = ctx
            .api
            .update_passkey(Some(&user.token), &passkey.id, name)
            .await;
        reply.expect_error(400, "VALIDATION_ERROR")?;
        let message = reply.json["message"].as_str().unwrap_or_default();
        ensure!(
            message.contains("name"),
            "the message names the field: {message:?}"
        );
    }
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed[0].name.as_deref() == Some("Kept"),
        "listed {listed:?}"
    );
    Ok(())
}

async fn a_deleted_passkey_is_gone_and_cannot_sign_in(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let mut key = SoftKey::new();
    let doomed = ctx.register(&user, &mut key, "Doomed").await?;
    let kept = ctx.register(&user, &mut SoftKey::new(), "Kept").await?;
    let reply = ctx.api.delete_passkey(Some(&user.token), &doomed.id).await;
    reply.expect_ok::<serde_json::Value>()?;
    ensure!(
        reply.json == json!({"status": true}),
        "delete answered {}",
        reply.text
    );
    let listed = ctx.list(&user.token).await?;
    ensure!(
        listed.len() == 1 && listed[0].id == kept.id,
        "listed {listed:?}"
    );
    let again = ctx.api.delete_passkey(Some(&user.token), &doomed.id).await;
    again.expect_error(404, "PASSKEY_NOT_FOUND")?;
    let options = ctx.authentication_options(None).await?;
    let assertion = key.assert(&options.challenge).await?;
    let sign_in = ctx
        .api
        .verify_authentication(&json!({"response": assertion}))
        .await;
    sign_in.expect_error(401, "PASSKEY_NOT_FOUND")
}

async fn another_users_passkey_can_be_neither_renamed_nor_deleted_and_survives(
    ctx: Ctx,
) -> Result<()> {
    let (owner, intruder) = (ctx.new_user(), ctx.new_user());
    let mut key = SoftKey::new();
    let passkey = ctx.register(&owner, &mut key, "Mine").await?;
    ctx.register(&intruder, &mut SoftKey::new(), "Intruder's")
        .await?;
    let rename = ctx
        .api
        .update_passkey(Some(&intruder.token), &passkey.id, "Stolen")
        .await;
    rename.expect_error(404, "PASSKEY_NOT_FOUND")?;
    let delete = ctx
        .api
        .delete_passkey(Some(&intruder.token), &passkey.id)
        .await;
    delete.expect_error(404, "PASSKEY_NOT_FOUND")?;
    let missing = ctx
        .api
        .delete_passkey(Some(&intruder.token), "no-such-passkey")
        .await;
    ensure!(
        missing.json == delete.json,
        "someone else's passkey is distinguishable: {} vs {}",
        delete.text,
        missing.text
    );
    let listed = ctx.list(&owner.token).await?;
    ensure!(
        listed.len() == 1 && listed[0].name.as_deref() == Some("Mine"),
        "{listed:?}"
    );
    ctx.sign_in(&mut key).await?;
    Ok(())
}

async fn renaming_or_deleting_an_unknown_passkey_is_not_found(ctx: Ctx) -> Result<()> {
    let user = ctx.new_user();
    let rename = ctx
        .api
        .update_passkey(Some(&user.token), "no-such-passkey", "Name")
        .await;
    rename.expect_error(404, "PASSKEY_NOT_FOUND")?;
    let delete = ctx
        .api
        .delete_passkey(Some(&user.token), "no-such-passkey")
        .await;
    delete.expect_error(404, "PASSKEY_NOT_FOUND")
}
