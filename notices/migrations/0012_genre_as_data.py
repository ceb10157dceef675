import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0011_seed_genres'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='notice',
            name='notice_public',
        ),
        migrations.RemoveIndex(
            model_name='notice',
            name='notice_public_organ',
        ),
        migrations.RemoveIndex(
            model_name='notice',
            name='notice_public_genre',
        ),
        migrations.RemoveIndex(
            model_name='notice',
            name='notice_public_validity',
        ),
        migrations.AlterField(
            model_name='notice',
            name='genre',
            field=models.ForeignKey(db_column='genre', db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='notices', to='notices.genre', to_field='code', verbose_name='体裁'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(condition=models.Q(('correction_of__isnull', True), ('disclosure', 'proactive'), ('status', 'published')), fields=['-published_at', '-id'], name='notice_public'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(condition=models.Q(('correction_of__isnull', True), ('disclosure', 'proactive'), ('status', 'published')), fields=['organ', '-published_at', '-id'], name='notice_public_organ'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(condition=models.Q(('correction_of__isnull', True), ('disclosure', 'proactive'), ('status', 'published')), fields=['genre', '-published_at', '-id'], name='notice_public_genre'),
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(condition=models.Q(('correction_of__isnull', True), ('disclosure', 'proactive'), ('status', 'published')), fields=['validity', '-published_at', '-id'], name='notice_public_validity'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(('disclosure', 'proactive'), models.Q(('withheld_reason', ''), _negated=True), _connector='OR'), name='notice_restricted_needs_reason', violation_error_message='公开属性为“依申请公开”或“不予公开”时，必须填写不主动公开的理由。'),
        ),
    ]
