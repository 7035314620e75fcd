from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, NotFound


class ArticleNotFound(NotFound):
    code = "article_not_found"
    default_message = _("This help article does not exist or is not published.")


class CategoryNotFound(NotFound):
    code = "category_not_found"
    default_message = _("This help category does not exist.")


class VoterUnknown(InvalidInput):
    code = "voter_unknown"
    default_message = _(
        "Your vote could not be linked to you. Allow cookies for this site and try again."
    )


class CheckValueInvalid(InvalidInput):
    code = "check_value_invalid"
    default_message = _(
        "Enter an e-mail address, a phone number, a web address or a social media account."
    )
